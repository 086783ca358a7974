"""Events about a route, its Gateways and its pools, as `kubectl describe` shows them. Pure.

`kubectl describe` reads core/v1 Events (not events.k8s.io/v1) with a field selector on
`involvedObject` (kubectl/pkg/describe/describe.go, searchEvents), sorts them by lastTimestamp
(newest last) and prints Type, Reason, Age, From and Message, a repeated event's Age as
"3m (x4 over 10m)". The same API, selector fields and columns here: the core API is served by
every cluster, its events carry count and source for both the old recorder and the new one
(which fills eventTime, series and reportingComponent), and the `view` role reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, NamedTuple

from .fields import as_map as _map
from .fields import as_str as _text
from .model import ObjectRef
from .verify import human_duration, parse_time

# Events shown per object: the newest ones (kubectl describe shows all; a busy controller's
# events about one Gateway would push the route's own tables off the screen).
SHOWN = 10


class EventSummary(NamedTuple):
    kind: str  # of the object the event is about: HTTPRoute, Gateway, InferencePool
    namespace: str
    name: str
    type: str  # Normal, Warning
    reason: str
    message: str
    source: str  # source.component, else reportingComponent, as describe's From
    times: int  # count, or series.count
    first: str  # eventTime, else firstTimestamp
    last: str  # series.lastObservedTime, else lastTimestamp, else first

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.namespace, self.name)


class EventQuery(NamedTuple):
    """One list request for the events of one kind: where, which selector, and the objects
    whose events to keep (a selector without a name is filtered by name here)."""

    kind: str
    namespace: str | None  # None: every namespace (the objects are in several)
    field_selector: str
    wanted: frozenset[ObjectRef]


def reduce_event(obj: Mapping[str, Any]) -> EventSummary:
    """One core/v1 Event → what describe prints of it."""
    involved = _map(obj.get("involvedObject"))
    meta = _map(obj.get("metadata"))
    series = _map(obj.get("series"))
    first = _text(obj.get("eventTime")) or _text(obj.get("firstTimestamp"))
    raw_count = series.get("count") if series else obj.get("count")
    count = raw_count if isinstance(raw_count, int) and raw_count > 0 else 1
    last = (
        _text(series.get("lastObservedTime")) if series else _text(obj.get("lastTimestamp"))
    ) or first
    source = _text(_map(obj.get("source")).get("component")) or _text(obj.get("reportingComponent"))
    return EventSummary(
        kind=_text(involved.get("kind")),
        namespace=_text(involved.get("namespace")) or _text(meta.get("namespace")),
        name=_text(involved.get("name")),
        type=_text(obj.get("type")),
        reason=_text(obj.get("reason")),
        message=" ".join(_text(obj.get("message")).split()),
        source=source,
        times=count,
        first=first,
        last=last,
    )


def _selector(kind: str, ref: ObjectRef | None, uid: str = "") -> str:
    # kubectl's order (fields.Set sorts its keys): kind, name, namespace, uid.
    terms = [f"involvedObject.kind={kind}"]
    if ref is not None:
        terms += [f"involvedObject.name={ref.name}", f"involvedObject.namespace={ref.namespace}"]
    if uid:
        terms.append(f"involvedObject.uid={uid}")
    return ",".join(terms)


def kind_query(kind: str, refs: Iterable[ObjectRef], uid: str = "") -> EventQuery | None:
    """The one request for a kind's events: by name when there is one object (as describe
    asks, with its uid when known, so an earlier object of that name is not mixed in), by kind
    in the objects' namespace when there are several, in every namespace when they are spread."""
    wanted = frozenset(refs)
    if not wanted:
        return None
    if len(wanted) == 1:
        (ref,) = wanted
        return EventQuery(kind, ref.namespace, _selector(kind, ref, uid), wanted)
    namespaces = {ref.namespace for ref in wanted}
    namespace = next(iter(namespaces)) if len(namespaces) == 1 else None
    return EventQuery(kind, namespace, _selector(kind, None), wanted)


def _when(text: str) -> datetime:
    return parse_time(text) or datetime.min.replace(tzinfo=timezone.utc)


def recent(events: Iterable[EventSummary], limit: int = SHOWN) -> list[EventSummary]:
    """Oldest first, newest last (describe's order), only the newest `limit`."""
    ordered = sorted(events, key=lambda e: (_when(e.last), _when(e.first), e.reason, e.message))
    return ordered[-limit:] if limit else ordered


def keep(query: EventQuery, events: Iterable[EventSummary]) -> dict[ObjectRef, list[EventSummary]]:
    """A query's answer by object: only the objects asked about, each its newest events."""
    found: dict[ObjectRef, list[EventSummary]] = {}
    for event in events:
        if event.kind == query.kind and event.ref in query.wanted:
            found.setdefault(event.ref, []).append(event)
    return {ref: recent(items) for ref, items in found.items()}


def _since(text: str, now: datetime) -> str:
    then = parse_time(text)
    if then is None:
        return "<unknown>"
    return human_duration((now - then).total_seconds())


def event_age(event: EventSummary, now: datetime) -> str:
    """describe's Age: "5m", or for a repeated event "30s (x4 over 5m)"."""
    first = _since(event.first, now)
    if event.times > 1:
        return f"{_since(event.last, now)} (x{event.times} over {first})"
    return first
