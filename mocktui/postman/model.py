"""The loaded collection: plain, immutable data that the engine indexes and the dashboard shows.

Everything a request needs is resolved here once, at load time: variables, URL forms, path
variables, enabled headers and query parameters. The engine never looks at raw JSON again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Segment:
    """One path segment of an example's request.

    ``wildcard`` is the variable name when the whole segment is an unresolved ``{{name}}`` or a
    ``:name`` path variable without a value; such a segment matches any one non-empty segment.
    """

    text: str
    wildcard: str | None = None


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """The request an example answers (its ``originalRequest``), resolved.

    ``problem`` is set when the request cannot be understood (no method, unparsable URL); such an
    example is skipped by the matcher and listed as skipped by the dashboard.
    """

    method: str
    path: str
    segments: tuple[Segment, ...]
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    problem: str | None = None
    host: str = ""  # the URL's host as resolved (it never takes part in matching)
    scheme: str = ""  # the URL's scheme as written ("https"), "" when it gives none

    @property
    def display_path(self) -> str:
        """The path a client must call, wildcards shown as ``{name}``."""
        if not self.segments:
            return self.path
        parts = [f"{{{s.wildcard}}}" if s.wildcard else s.text for s in self.segments]
        return "/" + "/".join(parts)


@dataclass(frozen=True, slots=True)
class Example:
    """A saved response of an endpoint."""

    id: str
    name: str
    code: int
    status: str
    headers: tuple[tuple[str, str], ...]
    body: str
    content_type: str | None
    request: RequestSpec
    endpoint_key: str
    position: int  # 1-based position within its endpoint (the dashboard's "example N")
    explicit_id: bool = False
    delay_ms: int = 0  # mocktui extension: the example's own x-mocktui-delay header
    json_path: str = ""  # where it is in its file, e.g. "$.item[2].response[0]"
    has_code: bool = True  # False: the file gives no code (it answers 200)
    has_original_request: bool = True  # False: it answers the endpoint's own request


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A request item of the collection, with its examples."""

    key: str  # stable across reloads: the item's id, else its place in the tree
    name: str
    folder: tuple[str, ...]  # names of the folders above it, outermost first
    collection: str
    request: RequestSpec
    examples: tuple[Example, ...]
    json_path: str = ""  # where it is in its file, e.g. "$.item[2]"

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def display_path(self) -> str:
        return self.request.display_path

    @property
    def served_examples(self) -> int:
        """Its examples that can answer: not those left out (a saved request without a method
        or URL), which every count leaves out too."""
        return sum(1 for ex in self.examples if not ex.request.problem)


@dataclass(frozen=True, slots=True)
class Folder:
    """A collection's root or one of its folders; ``children`` in document order."""

    name: str
    key: str
    children: tuple[Folder | Endpoint, ...] = ()

    def all_endpoints(self) -> list[Endpoint]:
        out: list[Endpoint] = []
        for child in self.children:
            if isinstance(child, Folder):
                out.extend(child.all_endpoints())
            else:
                out.append(child)
        return out

    def example_count(self) -> int:
        return sum(ep.served_examples for ep in self.all_endpoints())


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something of the collection mocktui leaves out, and why.

    In ``Collection.skipped``: an example (or, with ``example_id`` None, an endpoint) left out
    of matching; ``name`` is its name. In ``Collection.skipped_headers``: a response header
    left out of an example's answer (the example still answers); ``name`` is the header's.
    """

    endpoint_key: str
    example_id: str | None
    name: str
    reason: str
    path: str = ""  # JSON path of what is left out, e.g. "$.item[0].response[1].header[2]"


@dataclass(frozen=True, slots=True)
class LoadWarning:
    """Something of the file mocktui read in its own way, and says so (the example is used).

    ``path`` is the JSON path of what it is about, e.g. ``$.item[2].response``.
    """

    endpoint_key: str
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Collection:
    name: str
    source: str  # the file it came from
    schema: str  # "v2.1.0" or "v2.0.0"
    root: Folder
    skipped: tuple[Skipped, ...] = ()
    # Response headers whose names are not HTTP tokens ("Bad Key", "X-Ä"): they cannot be
    # sent, so they are left out of the answers. Kept apart from ``skipped``, which lists what
    # matching leaves out: these examples still answer.
    skipped_headers: tuple[Skipped, ...] = ()
    variables: dict[str, str] = field(default_factory=dict)
    warnings: tuple[LoadWarning, ...] = ()

    @property
    def endpoints(self) -> list[Endpoint]:
        return self.root.all_endpoints()

    @property
    def examples(self) -> list[Example]:
        return [ex for ep in self.endpoints for ex in ep.examples]
