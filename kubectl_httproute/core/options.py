"""Flag values → checked options objects. Pure: every rule runs before any request is sent."""

from __future__ import annotations

from typing import NamedTuple

from ..errors import InvalidInput
from . import durations, validation
from .model import MODEL_HEADER, POOL_GROUP_V1, POOL_GROUPS, HeaderMatch, ObjectRef

DRY_RUN_MODES = ("none", "client", "server")
OUTPUT_FORMATS = ("yaml", "json")


class PoolRequest(NamedTuple):
    ref: ObjectRef
    weight: int | None
    namespace_given: bool


def check_change_flags(
    dry_run: str, record_path: str | None, no_record: bool, timeout: str
) -> durations.Duration:
    """The flags every changing command shares: --dry-run's mode, --record against --no-record,
    and --timeout's duration (returned)."""
    if dry_run not in DRY_RUN_MODES:
        raise InvalidInput(f'--dry-run "{dry_run}" is not allowed', "use none, client or server")
    if record_path is not None and no_record:
        raise InvalidInput("--record and --no-record contradict each other", "use one of them")
    return durations.parse_duration(timeout, "--timeout")


class ExposeOptions(NamedTuple):
    """What `expose` was asked to do, checked; namespaces filled in by `complete`."""

    namespace: str
    pools: tuple[PoolRequest, ...]
    gateway: ObjectRef | None
    name: str | None
    section_name: str | None
    hostnames: tuple[str, ...]
    path: str
    path_type: str
    headers: tuple[HeaderMatch, ...]
    port: int | None
    request_timeout: str | None  # None: not given on the command line
    backend_timeout: str | None
    pool_group: str | None
    dry_run: str
    output: str | None
    yes: bool
    force_conflicts: bool
    wait: bool
    wait_timeout_ms: int
    record_path: str | None
    no_record: bool
    force: bool = False  # attach even when no listener seems to admit the route
    create_reference_grant: bool = False
    model: str | None = None  # the base model whose requests the route takes

    @property
    def timeouts_given(self) -> bool:
        return self.request_timeout is not None or self.backend_timeout is not None

    def complete(self, namespace: str) -> ExposeOptions:
        """Fill the default namespace into every reference that did not name one."""
        pools = tuple(
            p if p.namespace_given else p._replace(ref=ObjectRef(namespace, p.ref.name))
            for p in self.pools
        )
        gateway = self.gateway
        if gateway is not None and not gateway.namespace:
            gateway = ObjectRef(namespace, gateway.name)
        return self._replace(namespace=namespace, pools=pools, gateway=gateway)


def build_expose_options(
    *,
    namespace: str | None,
    pools: tuple[str, ...],
    gateway: str | None,
    name: str | None,
    section_name: str | None,
    hostnames: tuple[str, ...],
    path: str,
    path_type: str,
    headers: tuple[str, ...],
    port: int | None,
    route_timeout: str | None,
    backend_timeout: str | None,
    pool_group: str | None,
    dry_run: str,
    output: str | None,
    yes: bool,
    force_conflicts: bool,
    wait: bool,
    timeout: str,
    record_path: str | None,
    no_record: bool,
    force: bool = False,
    create_reference_grant: bool = False,
    model: str | None = None,
) -> ExposeOptions:
    """Check every flag; the namespace may still be unknown ("" until `complete`)."""
    ns = validation.check_dns_label(namespace, "--namespace") if namespace else ""
    pool_requests = []
    for text in pools:
        ref, weight = validation.parse_pool_arg(text, ns or "default")
        pool_requests.append(PoolRequest(ref, weight, namespace_given="/" in text.split("=")[0]))
    seen = set()
    for p in pool_requests:
        key = (p.ref.namespace if p.namespace_given else "", p.ref.name)
        if key in seen:
            raise InvalidInput(f'pool "{p.ref.name}" is named twice', "name each pool once")
        seen.add(key)
    if len(pool_requests) > 1:
        weights = [p.weight if p.weight is not None else 1 for p in pool_requests]
        validation.check_weights(weights)
    gateway_ref = None
    if gateway:
        gateway_ref = validation.parse_object_ref(gateway, ns or "default", "--gateway")
        if "/" not in gateway:
            gateway_ref = ObjectRef("", gateway_ref.name)
    if name is not None:
        validation.check_dns_subdomain(name, "--name")
    if section_name is not None:
        validation.check_section_name(section_name)
    for host in hostnames:
        validation.check_hostname(host)
    if len(hostnames) > 16:
        raise InvalidInput(
            f"--hostname given {len(hostnames)} times", "Gateway API allows at most 16 hostnames"
        )
    validation.check_path(path, path_type)
    parsed_headers = validation.parse_headers(headers)
    if model is not None:
        validation.check_model(model)
        if any(h.name.lower() == MODEL_HEADER.lower() for h in parsed_headers):
            raise InvalidInput(
                f"--model and --header {MODEL_HEADER} both set the model header",
                "give the model once, with --model",
            )
    if port is not None:
        validation.check_port(port, "--port")
    # `is not None`, not truthiness: an empty --route-timeout '' is refused, not taken for 0s.
    req = (
        durations.to_gateway_duration(route_timeout, validation.FLAG_ROUTE_TIMEOUT)
        if route_timeout is not None
        else None
    )
    backend = (
        durations.to_gateway_duration(backend_timeout, validation.FLAG_BACKEND_TIMEOUT)
        if backend_timeout is not None
        else None
    )
    validation.check_timeouts(req or "0s", backend or "0s")
    if pool_group is not None and pool_group not in POOL_GROUPS:
        raise InvalidInput(
            f'--pool-group "{pool_group}" is not an InferencePool API group',
            f"use {' or '.join(POOL_GROUPS)}",
        )
    if dry_run not in DRY_RUN_MODES:
        raise InvalidInput(f'--dry-run "{dry_run}" is not allowed', "use none, client or server")
    if dry_run == "client":
        if not pool_requests:
            raise InvalidInput(
                "--dry-run=client needs the pool named", "name it: expose POOL --gateway GATEWAY"
            )
        if gateway_ref is None:
            raise InvalidInput(
                "--dry-run=client needs the Gateway named", "add --gateway [NAMESPACE/]NAME"
            )
    if record_path is not None and no_record:
        raise InvalidInput("--record and --no-record contradict each other", "use one of them")
    wait_timeout = durations.parse_duration(timeout, "--timeout")
    return ExposeOptions(
        namespace=ns,
        pools=tuple(pool_requests),
        gateway=gateway_ref,
        name=name,
        section_name=section_name,
        hostnames=tuple(hostnames),
        path=path,
        path_type=path_type,
        headers=parsed_headers,
        port=port,
        request_timeout=req,
        backend_timeout=backend,
        pool_group=pool_group or (POOL_GROUP_V1 if dry_run == "client" else None),
        dry_run=dry_run,
        output=output,
        yes=yes,
        force_conflicts=force_conflicts,
        wait=wait,
        wait_timeout_ms=wait_timeout.milliseconds,
        record_path=record_path,
        no_record=no_record,
        force=force,
        create_reference_grant=create_reference_grant,
        model=model,
    )


class HistoryOptions(NamedTuple):
    """What `history` was asked for, checked."""

    route: str
    output: str | None


def build_history_options(*, route: str, output: str | None) -> HistoryOptions:
    """The route's name is checked before any request."""
    validation.check_dns_subdomain(route, "ROUTE")
    return HistoryOptions(route=route, output=output)


class RollbackOptions(NamedTuple):
    """What `rollback` was asked to do, checked; the flags every changing command has."""

    route: str
    to_revision: int | None
    force: bool  # restore even when a pool the revision names is gone
    dry_run: str
    output: str | None
    yes: bool
    force_conflicts: bool
    wait: bool
    wait_timeout_ms: int
    record_path: str | None
    no_record: bool


def build_rollback_options(
    *,
    route: str,
    to_revision: int | None,
    force: bool,
    dry_run: str,
    output: str | None,
    yes: bool,
    force_conflicts: bool,
    wait: bool,
    timeout: str,
    record_path: str | None,
    no_record: bool,
) -> RollbackOptions:
    """Check every flag before any request."""
    validation.check_dns_subdomain(route, "ROUTE")
    if to_revision is not None and to_revision < 1:
        raise InvalidInput(
            f"--to-revision {to_revision} is not a revision number",
            "revisions count from 1; list them with `kubectl inferroute history ROUTE`",
        )
    wait_timeout = check_change_flags(dry_run, record_path, no_record, timeout)
    return RollbackOptions(
        route=route,
        to_revision=to_revision,
        force=force,
        dry_run=dry_run,
        output=output,
        yes=yes,
        force_conflicts=force_conflicts,
        wait=wait,
        wait_timeout_ms=wait_timeout.milliseconds,
        record_path=record_path,
        no_record=no_record,
    )


DELETE_OUTPUT_FORMATS = ("yaml", "json", "name")


class DeleteOptions(NamedTuple):
    """What `delete` was asked to do, checked (the ChangeOptions every changing command has)."""

    namespace: str
    route: str
    dry_run: str
    output: str | None
    yes: bool
    force: bool  # delete a route the plugin did not make
    wait: bool
    wait_timeout_ms: int
    record_path: str | None
    no_record: bool
    force_conflicts: bool = False  # nothing to apply: no field ownership to take

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.namespace, self.route)


def build_delete_options(
    *,
    namespace: str | None,
    route: str,
    dry_run: str,
    output: str | None,
    yes: bool,
    force: bool,
    wait: bool,
    timeout: str,
    record_path: str | None,
    no_record: bool,
) -> DeleteOptions:
    """Check every flag; the namespace may still be unknown ("" until the kubeconfig is read)."""
    ns = validation.check_dns_label(namespace, "--namespace") if namespace else ""
    validation.check_dns_subdomain(route, "ROUTE")
    wait_timeout = check_change_flags(dry_run, record_path, no_record, timeout)
    return DeleteOptions(
        namespace=ns,
        route=route,
        dry_run=dry_run,
        output=output,
        yes=yes,
        force=force,
        wait=wait,
        wait_timeout_ms=wait_timeout.milliseconds,
        record_path=record_path,
        no_record=no_record,
    )


class ShiftOptions(NamedTuple):
    """What `shift` was asked to do, checked; namespaces filled in by `complete`."""

    namespace: str
    route: str
    pools: tuple[PoolRequest, ...]  # POOL=WEIGHT, each with its weight
    to: PoolRequest | None  # --to POOL (progressive)
    steps: tuple[int, ...]  # --steps, percent of traffic to --to at each step
    interval_ms: int  # --interval: the hold at each step
    probe: bool
    mirror: PoolRequest | None  # --mirror POOL=PERCENT (the percent in `weight`)
    no_mirror: bool
    dry_run: str
    output: str | None
    yes: bool
    force_conflicts: bool
    force: bool
    wait: bool
    wait_timeout_ms: int
    record_path: str | None
    no_record: bool
    create_reference_grant: bool = False
    remove: tuple[PoolRequest, ...] = ()  # --remove POOL: backendRefs taken off the route

    @property
    def progressive(self) -> bool:
        return self.to is not None

    def complete(self, namespace: str) -> ShiftOptions:
        """Pools named without a namespace are in the route's."""

        def fill(p: PoolRequest) -> PoolRequest:
            return p if p.namespace_given else p._replace(ref=ObjectRef(namespace, p.ref.name))

        return self._replace(
            namespace=namespace,
            pools=tuple(fill(p) for p in self.pools),
            to=fill(self.to) if self.to is not None else None,
            mirror=fill(self.mirror) if self.mirror is not None else None,
            remove=tuple(fill(p) for p in self.remove),
        )


def build_shift_options(
    *,
    namespace: str | None,
    route: str,
    pools: tuple[str, ...],
    to: str | None,
    steps: str | None,
    interval: str | None,
    probe: bool,
    mirror: str | None,
    no_mirror: bool,
    dry_run: str,
    output: str | None,
    yes: bool,
    force_conflicts: bool,
    force: bool,
    wait: bool,
    timeout: str,
    record_path: str | None,
    no_record: bool,
    create_reference_grant: bool = False,
    remove: tuple[str, ...] = (),
) -> ShiftOptions:
    """Check every flag of `shift`; the namespace may still be unknown ("" until `complete`)."""
    from .shift import parse_mirror, parse_steps

    ns = validation.check_dns_label(namespace, "--namespace") if namespace else ""
    validation.check_dns_subdomain(route, "ROUTE")
    requests = []
    for text in pools:
        ref, weight = validation.parse_pool_arg(text, ns or "default")
        if weight is None:
            raise InvalidInput(
                f'POOL "{text}": shift needs the weight', f"give it: {ref.name}=WEIGHT, e.g. =10"
            )
        requests.append(PoolRequest(ref, weight, namespace_given="/" in text.split("=")[0]))
    seen = set()
    for p in requests:
        if p.ref in seen:
            raise InvalidInput(f'pool "{p.ref.name}" is named twice', "name each pool once")
        seen.add(p.ref)
    to_request = None
    if to is not None:
        to_ref = validation.parse_object_ref(to, ns or "default", "--to", example="e.g. qwen-v2")
        to_request = PoolRequest(to_ref, None, namespace_given="/" in to)
        if requests:
            raise InvalidInput(
                "--to and POOL=WEIGHT arguments contradict each other",
                "shift in steps with --to POOL --steps 10,50,100, or set weights with POOL=WEIGHT",
            )
        if steps is None:
            raise InvalidInput("--to needs --steps", "e.g. --to qwen-v2 --steps 10,50,100")
    elif steps is not None or interval is not None or probe:
        raise InvalidInput(
            "--steps, --interval and --probe belong to a progressive shift",
            "add --to POOL, e.g. --to qwen-v2 --steps 10,50,100 --interval 5m",
        )
    shares = parse_steps(steps) if steps is not None else ()
    interval_ms = durations.parse_duration(interval or "0s", "--interval").milliseconds
    mirror_request = None
    if mirror is not None:
        parsed = parse_mirror(mirror, ns or "default")
        mirror_request = PoolRequest(
            parsed.ref, parsed.percent, namespace_given="/" in mirror.split("=")[0]
        )
    if mirror is not None and no_mirror:
        raise InvalidInput("--mirror and --no-mirror contradict each other", "use one of them")
    if to_request is not None and (mirror is not None or no_mirror):
        raise InvalidInput(
            "--mirror and --no-mirror cannot be combined with --to",
            "mirror first (shift ROUTE --mirror POOL=10), then shift in steps",
        )
    removals = []
    for text in remove:
        ref = validation.parse_object_ref(text, ns or "default", "--remove", example="e.g. qwen-v1")
        if ref in seen:
            raise InvalidInput(
                f'pool "{ref.name}" is given a weight and --remove',
                "remove it, or set its weight: one of them",
            )
        removals.append(PoolRequest(ref, None, namespace_given="/" in text))
    if removals and to_request is not None:
        raise InvalidInput(
            "--remove cannot be combined with --to",
            "shift in steps first; remove the old pool once it has weight 0",
        )
    if not requests and to_request is None and mirror is None and not no_mirror and not removals:
        raise InvalidInput(
            "shift needs what to change",
            "give POOL=WEIGHT..., --to POOL --steps 10,50,100, --mirror POOL=PERCENT, "
            "--no-mirror or --remove POOL",
        )
    wait_timeout = check_change_flags(dry_run, record_path, no_record, timeout)
    if to_request is not None and not wait:
        raise InvalidInput(
            "--no-wait cannot be combined with --to",
            "each step waits for the controller's verdict before the next",
        )
    return ShiftOptions(
        namespace=ns,
        route=route,
        pools=tuple(requests),
        to=to_request,
        steps=shares,
        interval_ms=interval_ms,
        probe=probe,
        mirror=mirror_request,
        no_mirror=no_mirror,
        dry_run=dry_run,
        output=output,
        yes=yes,
        force_conflicts=force_conflicts,
        force=force,
        wait=wait,
        wait_timeout_ms=wait_timeout.milliseconds,
        record_path=record_path,
        no_record=no_record,
        create_reference_grant=create_reference_grant,
        remove=tuple(removals),
    )
