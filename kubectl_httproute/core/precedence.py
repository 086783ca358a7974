"""Gateway API route precedence: which HTTPRoute takes a request when several could. Pure.

The rules (gateway-api `apis/v1/httproute_types.go`, HTTPRouteSpec.hostnames and
HTTPRouteRule.matches; DOMAIN.md "Conflicts between routes on one Gateway"):

1. Hostnames first: for a request's host, the rules of the route with the most characters in a
   matching non-wildcard hostname win, then the most characters in a matching hostname.
2. Then matches, across all rules of the applicable routes: an Exact path beats a PathPrefix; a
   longer prefix beats a shorter one; a method match beats none; more header matches beat fewer;
   more query parameter matches beat fewer. RegularExpression paths rank as the implementation
   likes.
3. Ties across routes go to the oldest `creationTimestamp`, then to the first `namespace/name` in
   alphabetical order.

What follows from them, and what this module reports: under rule 2 a more general match never
beats a more specific one, so one route takes *all* of another route's traffic for a match only
when, on the same Gateway (and listener), for the same hostname, its match is the same match
(same path type and path, method, and header and query conditions) and it wins the tie of rule 3.
A route is *shadowed* when that holds for every (parent, hostname, match) it has.

It is conservative on purpose: it never calls a route shadowed when it might still receive
traffic. Partial overlaps are not reported; RegularExpression paths (ranked by the
implementation) are never judged; a route attached to all listeners is only taken over by routes
that are also attached to all listeners; a more specific hostname that happens to cover all the
hosts a listener admits is not considered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .fields import as_list as _list
from .fields import as_map as _map
from .fields import as_str as _str
from .model import GATEWAY_GROUP, MODEL_HEADER, ObjectRef

_MODEL_HEADER = MODEL_HEADER.lower()  # header names are kept lower-case in a MatchKey
ANY_HOST = ""  # the hostname key of a route without hostnames: it matches every host

# The per-route NamedTuples are built by tuple.__new__ (C) from a tuple of every field, in
# order: their generated __new__ is a Python function, and cost as much again as the tuple.
_new = tuple.__new__


class MatchKey(NamedTuple):
    """One HTTPRouteMatch, normalised so that equal keys match exactly the same requests."""

    path_type: str  # Exact | PathPrefix | RegularExpression
    path: str
    method: str | None
    headers: int  # number of header matches
    queries: int  # number of query parameter matches
    # The conditions themselves (type, name, value), sorted: two matches with the same counts
    # but different values are different matches.
    header_values: tuple[tuple[str, str, str], ...] = ()
    query_values: tuple[tuple[str, str, str], ...] = ()

    def describe(self) -> str:
        text = f"{self.path_type} {self.path}"
        if self.method:
            text += f" {self.method}"
        if self.headers:
            text += f" +{self.headers} header(s)"
            # Several models on one Gateway differ only in this header: name the model.
            model = next(
                (v for t, n, v in self.header_values if t == "Exact" and n == _MODEL_HEADER), ""
            )
            if model:
                text += f", model {model}"
        if self.queries:
            text += f" +{self.queries} query param(s)"
        return text


class RouteSummary(NamedTuple):
    """What precedence needs of an HTTPRoute: identity, age, hostnames, parents, matches."""

    ref: ObjectRef
    created: str  # metadata.creationTimestamp (RFC 3339); "" when not yet created
    hostnames: tuple[str, ...]
    parents: tuple[tuple[str, str, str | None], ...]  # (gateway ns, gateway name, sectionName)
    matches: tuple[MatchKey, ...]
    pools: tuple[tuple[str, str, str, int], ...]  # (group, namespace, name, weight)


class Shadowing(NamedTuple):
    """winner takes all of loser's traffic on gateway; detail says why."""

    winner: ObjectRef
    loser: ObjectRef
    gateway: str  # "ns/name", plus "#section" when the loser attaches to one listener
    detail: str


def _normal_path(path_type: str, path: str) -> str:
    # A PathPrefix matches by path elements and ignores a trailing slash: /v1 and /v1/ are equal.
    if path_type == "PathPrefix" and len(path) > 1:
        return path.rstrip("/") or "/"
    return path


def _conditions(items: Any) -> tuple[tuple[str, str, str], ...]:
    if not items:  # most matches have no header or query conditions
        return ()
    out = []
    for item in _list(items):
        item = _map(item)
        out.append(
            (
                _str(item.get("type")) or "Exact",
                # Header names are case-insensitive; query parameter names are not, but a key
                # that is too equal only makes the module more conservative for headers.
                _str(item.get("name")),
                _str(item.get("value")),
            )
        )
    return tuple(sorted(out))


def _match_key(match: Mapping[str, Any]) -> tuple[MatchKey, str, str]:
    """The match's key, and its path's type and value as written (before _normal_path)."""
    path = match.get("path")
    if type(path) is not dict:
        path = _map(path)
    path_type = _str(path.get("type")) or "PathPrefix"
    value = _str(path.get("value")) or "/"
    # Most matches have no header or query conditions: no call for them.
    headers = _conditions(raw) if (raw := match.get("headers")) else ()
    if headers:
        headers = tuple(sorted((t, n.lower(), v) for t, n, v in headers))
    queries = _conditions(raw) if (raw := match.get("queryParams")) else ()
    method = match.get("method")
    # Once per match of every route.
    fields = (
        path_type,
        _normal_path(path_type, value),
        _str(method) or None,
        len(headers),
        len(queries),
        headers,
        queries,
    )
    return _new(MatchKey, fields), path_type, value


DEFAULT_MATCH = MatchKey("PathPrefix", "/", None, 0, 0)
# What a rule without matches matches (every request), with its path as written.
_DEFAULT_ENTRY = (DEFAULT_MATCH, "PathPrefix", "/")


def summarize_route(obj: dict[str, Any]) -> RouteSummary:
    """Reduce an HTTPRoute object to what precedence and the status overview need."""
    return summarize_route_paths(obj)[0]


def summarize_route_paths(obj: dict[str, Any]) -> tuple[RouteSummary, list[tuple[str, str]]]:
    """summarize_route, and the (type, value) of every match's path as written, in order (a
    rule without matches gives PathPrefix /): `status` shows them for its routes, and this walk
    over the rules is the one that reads them.

    The JSON decoder gives dicts and lists: each container is checked for exactly those
    inline, and anything else goes through the tolerant accessors, to the same result."""
    meta = obj.get("metadata")
    if type(meta) is not dict:
        meta = _map(meta)
    spec = obj.get("spec")
    if type(spec) is not dict:
        spec = _map(spec)
    namespace = _str(meta.get("namespace"))
    parents = []
    refs = spec.get("parentRefs")
    for ref in refs if type(refs) is list else _list(refs):
        if type(ref) is not dict:
            ref = _map(ref)
        group = ref.get("group")
        if group is not None and (group if type(group) is str else _str(group)) != GATEWAY_GROUP:
            continue
        kind = ref.get("kind")
        if ((kind if type(kind) is str else _str(kind)) or "Gateway") != "Gateway":
            continue
        ns = _str(ref.get("namespace"))
        section = _str(ref.get("sectionName"))
        parents.append(
            (
                ns or namespace,
                _str(ref.get("name")),
                section or None,
            )
        )
    matches: list[MatchKey] = []
    paths: list[tuple[str, str]] = []
    pools: list[tuple[str, str, str, int]] = []
    rules = spec.get("rules")
    for rule in rules if type(rules) is list else _list(rules):
        if type(rule) is not dict:
            rule = _map(rule)
        raw = rule.get("matches")
        entries = [
            _match_key(m if type(m) is dict else _map(m))
            for m in (raw if type(raw) is list else _list(raw))
        ]
        for key, path_type, value in entries or (_DEFAULT_ENTRY,):
            paths.append((path_type, value))
            if key not in matches:
                matches.append(key)
        backends = rule.get("backendRefs")
        for backend in backends if type(backends) is list else _list(backends):
            if type(backend) is not dict:
                backend = _map(backend)
            kind = backend.get("kind")
            if (kind if type(kind) is str else _str(kind)) != "InferencePool":
                continue
            ns = _str(backend.get("namespace"))
            weight = backend.get("weight")
            pools.append(
                (
                    _str(backend.get("group")),
                    ns or namespace,
                    _str(backend.get("name")),
                    weight
                    if type(weight) is int
                    or (isinstance(weight, int) and not isinstance(weight, bool))
                    else 1,
                )
            )
    hostnames = spec.get("hostnames")
    name = _str(meta.get("name"))
    summary = _new(
        RouteSummary,
        (
            _new(ObjectRef, (namespace, name)),
            _str(meta.get("creationTimestamp")),
            tuple([h.lower() for h in _list(hostnames) if isinstance(h, str)]),
            tuple(dict.fromkeys(parents)),
            tuple(matches),
            tuple(pools),
        ),
    )
    return summary, paths


# ---------------------------------------------------------------------------------------------
# Hostnames.


def _host_covers(pattern: str, host: str) -> bool:
    """Does hostname `pattern` match every host that `host` matches (or host itself)?"""
    if pattern == host:
        return True
    if pattern.startswith("*."):
        suffix = pattern[1:]  # ".example.com"
        bare = host[2:] if host.startswith("*.") else host
        return bare.endswith(suffix)
    return False


def hostnames_intersect(a: str, b: str) -> bool:
    """Gateway API hostname intersection: does some request host match both hostnames?

    Case-insensitive. A wildcard label `*.example.com` is a suffix match: it matches
    `foo.example.com` and `a.b.example.com`, never `example.com` itself. Two hostnames intersect
    when one covers the other (`*.example.com` and `*.b.example.com` share `a.b.example.com`).
    A listener takes a route when its hostname intersects one of the route's.
    """
    a, b = a.lower(), b.lower()
    return _host_covers(a, b) or _host_covers(b, a)


def hostnames_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when some request host matches both hostname lists; empty means any host."""
    if not a or not b:
        return True
    return any(hostnames_intersect(x, y) for x in a for y in b)


# ---------------------------------------------------------------------------------------------
# Shadowing.


def _rank(route: RouteSummary) -> tuple[int, str, str, str]:
    # The tie-break of rule 3: oldest first, then namespace/name. A route not yet created
    # (expose's preflight) is the newest of all.
    return (0 if route.created else 1, route.created, route.ref.namespace, route.ref.name)


def _parent_label(namespace: str, name: str, section: str | None) -> str:
    return f"{namespace}/{name}" + (f"#{section}" if section else "")


_Cell = tuple[str, str, str | None, str, MatchKey]


def _judgeable(match: MatchKey) -> bool:
    return match.path_type in ("Exact", "PathPrefix")


def _build_index(routes: Iterable[RouteSummary]) -> tuple[list[RouteSummary], dict[_Cell, Any]]:
    kept = list(routes)
    best: dict[_Cell, RouteSummary] = {}
    for route in kept:
        for namespace, name, section in route.parents:
            for host in route.hostnames or (ANY_HOST,):
                for match in route.matches:
                    if not _judgeable(match):
                        continue
                    cell = (namespace, name, section, host, match)
                    held = best.get(cell)
                    if held is None or _rank(route) < _rank(held):
                        best[cell] = route
    return kept, best


def _why(winner: RouteSummary, loser: RouteSummary, match: MatchKey, host: str) -> str:
    if winner.created and loser.created and winner.created != loser.created:
        tie = f"it is older (created {winner.created}, {loser.ref} {loser.created})"
    elif not loser.created and winner.created:
        tie = f"it already exists (created {winner.created})"
    else:
        tie = f"same creationTimestamp, and {winner.ref} comes first by namespace/name"
    where = f"host {host}" if host else "any host"
    return f"{winner.ref} has the same match ({match.describe()}) for {where}, and {tie}"


def _shadowing_of(loser: RouteSummary, best: dict[_Cell, Any]) -> Shadowing | None:
    if not loser.parents or not loser.matches:
        return None
    winners: list[tuple[RouteSummary, MatchKey, str, str]] = []
    for namespace, name, section in loser.parents:
        for host in loser.hostnames or (ANY_HOST,):
            for match in loser.matches:
                if not _judgeable(match):
                    return None
                # Routes on the same listener compete; a route on all listeners also competes
                # on a listener named by the loser. Not the other way round.
                sections = (section, None) if section is not None else (None,)
                found = []
                for s in sections:
                    contender = best.get((namespace, name, s, host, match))
                    if contender is not None and contender.ref != loser.ref:
                        found.append(contender)
                if not found:  # the loser holds this cell: most routes, so no rank is needed
                    return None
                found = [c for c in found if _rank(c) < _rank(loser)]
                if not found:
                    return None
                winner = min(found, key=_rank)
                winners.append((winner, match, host, _parent_label(namespace, name, section)))
    first, match, host, gateway = winners[0]
    detail = _why(first, loser, match, host)
    others = sorted({str(w.ref) for w, *_ in winners} - {str(first.ref)})
    if others:
        detail += "; also taken by " + ", ".join(others)
    return Shadowing(winner=first.ref, loser=loser.ref, gateway=gateway, detail=detail)


def shadowed_routes(routes: Iterable[RouteSummary]) -> dict[ObjectRef, Shadowing]:
    """Every route that gets no traffic because other routes win all of its matches.

    Linear in the number of (parent, hostname, match) cells: routes are grouped by
    (gateway, sectionName, hostname, match) and only the winner of each group is kept.
    Pass only routes that can take traffic (accepted by their Gateway).
    """
    kept, best = _build_index(routes)
    result = {}
    for route in kept:
        shadowing = _shadowing_of(route, best)
        if shadowing is not None:
            result[route.ref] = shadowing
    return result


def find_shadowing(route: RouteSummary, others: Iterable[RouteSummary]) -> list[Shadowing]:
    """For a new or updated route: who would shadow it, and whom it would shadow."""
    rest = [o for o in others if o.ref != route.ref]
    gateways = {(ns, name) for ns, name, _ in route.parents}
    rest = [o for o in rest if any((ns, name) in gateways for ns, name, _ in o.parents)]
    rest = [o for o in rest if hostnames_overlap(route.hostnames, o.hostnames)]
    found = shadowed_routes([route, *rest])
    return [s for s in found.values() if route.ref in (s.winner, s.loser)]


# ---------------------------------------------------------------------------------------------
# Takeover: who gets a route's requests once it is gone (`delete`).


class Takeover(NamedTuple):
    """For one (parent, hostname, match) of a route: the route that takes its requests once the
    route is gone, or None (the Gateway answers 404). `already`: that route wins them now."""

    gateway: str  # "ns/name", plus "#section" for a route on one listener
    host: str  # ANY_HOST: any host
    match: MatchKey
    successor: ObjectRef | None
    successor_match: MatchKey | None
    already: bool = False


def _path_covers(general: MatchKey, specific: MatchKey) -> bool:
    if general.path_type == "Exact":
        return specific.path_type == "Exact" and specific.path == general.path
    if general.path_type != "PathPrefix" or not _judgeable(specific):
        return False
    # PathPrefix matches whole path elements: /v1 covers /v1 and /v1/models, never /v10.
    prefix = general.path
    return prefix == "/" or specific.path == prefix or specific.path.startswith(prefix + "/")


def match_covers(general: MatchKey, specific: MatchKey) -> bool:
    """Every request `specific` matches also matches `general` (its conditions are a subset)."""
    if general == specific:
        return True
    if general.method is not None and general.method != specific.method:
        return False
    if not set(general.header_values) <= set(specific.header_values):
        return False
    if not set(general.query_values) <= set(specific.query_values):
        return False
    return _path_covers(general, specific)


def _host_rank(route: RouteSummary, host: str) -> tuple[int, int] | None:
    """Rule 1 for the requests of `host` (ANY_HOST: a route without hostnames): None when the
    route does not take every one of them, else (non-wildcard characters, characters), negated."""
    if not route.hostnames:
        return (0, 0)
    if host == ANY_HOST:
        return None  # a route with hostnames takes only some of any host's requests
    best: tuple[int, int] | None = None
    for pattern in route.hostnames:
        if not _host_covers(pattern, host):
            continue
        score = (0 if pattern.startswith("*.") else -len(pattern), -len(pattern))
        best = score if best is None or score < best else best
    return best


def _match_rank(match: MatchKey) -> tuple[int, int, int, int, int]:
    # Rule 2: Exact over PathPrefix, longer paths, a method, more headers, more query params.
    return (
        0 if match.path_type == "Exact" else 1,
        -len(match.path),
        0 if match.method else 1,
        -match.headers,
        -match.queries,
    )


def takeovers(route: RouteSummary, others: Iterable[RouteSummary]) -> list[Takeover]:
    """For each (parent, hostname, match) of `route`: which other route takes all of its requests
    once `route` is deleted, by Gateway API precedence; pass only routes that can take traffic.

    Conservative as the rest of this module: a route is named only when it matches every request
    of that cell (same Gateway and listener, a covering hostname, a covering match); a
    RegularExpression path is never judged (no successor named)."""
    rest = [o for o in others if o.ref != route.ref]
    result = []
    for namespace, name, section in route.parents:
        gateway = _parent_label(namespace, name, section)
        same_gateway = [
            o
            for o in rest
            if any(
                ns == namespace and gw == name and (s is None or s == section)
                for ns, gw, s in o.parents
            )
        ]
        for host in route.hostnames or (ANY_HOST,):
            for match in route.matches:
                best: tuple[Any, RouteSummary, MatchKey] | None = None
                for other in same_gateway if _judgeable(match) else []:
                    host_rank = _host_rank(other, host)
                    if host_rank is None:
                        continue
                    for candidate in other.matches:
                        if not _judgeable(candidate) or not match_covers(candidate, match):
                            continue
                        key = (host_rank, _match_rank(candidate), _rank(other))
                        if best is None or key < best[0]:
                            best = (key, other, candidate)
                if best is None:
                    result.append(Takeover(gateway, host, match, None, None))
                    continue
                _, winner, won = best
                # The same match, the same hostname rank, and older: it wins these requests now.
                already = (
                    won == match
                    and best[0][0] == (_host_rank(route, host) or (0, 0))
                    and _rank(winner) < _rank(route)
                )
                result.append(Takeover(gateway, host, match, winner.ref, won, already))
    return result
