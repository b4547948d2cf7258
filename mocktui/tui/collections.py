"""The collections panel: collections -> folders -> requests, with example counts.

Selecting (enter) a folder narrows the endpoints panel to it; selecting the root shows all;
selecting a request moves the endpoints cursor to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from mocktui.postman.model import Collection, Endpoint, Folder
from mocktui.tui import keys
from mocktui.tui.lists import ListFilter, Positioned, endpoint_matches, filter_label, filter_words
from mocktui.tui.safe import safe
from mocktui.tui.styles import method_style

#: What a tree node stands for: None is "everything" (the root when several collections).
NodeData = Folder | Endpoint | None


def _folder_label(folder: Folder) -> Text:
    text = Text(safe(folder.name), style="bold", end="")
    text.append(f" ({folder.example_count()})", "dim")
    return text


def _endpoint_label(endpoint: Endpoint) -> Text:
    text = Text(end="")
    text.append(f"{safe(endpoint.method):<6} ", method_style(endpoint.method))
    text.append(safe(endpoint.name))
    text.append(f" ({endpoint.served_examples})", "dim")
    return text


def _folder_matches(folder: Folder, words: list[str]) -> bool:
    return bool(words) and all(word in folder.name.lower() for word in words)


class CollectionsTree(Positioned, Tree[NodeData]):
    """The collection tree. Posts ``Narrow`` when the user picks a folder or a request."""

    BINDINGS = [*keys.TREE]

    class Narrow(Message):
        """Show only this folder's endpoints (None: all), or select this endpoint."""

        def __init__(self, folder: Folder | None, endpoint: Endpoint | None = None) -> None:
            super().__init__()
            self.folder = folder
            self.endpoint = endpoint

    def __init__(self, collections: Sequence[Collection], **kwargs: object) -> None:
        super().__init__(Text("All collections"), data=None, **kwargs)  # type: ignore[arg-type]
        self.auto_expand = False  # enter selects (narrows); space expands/collapses
        self.guide_depth = 2
        self.show_root = True
        self.filter_text = ""
        self._words: list[str] = []
        self.populate(collections)

    def filter_rows(self, text: str) -> None:
        """``/``: only the requests with every word in their method, path, name or folder, and
        the folders on the way to them (a folder whose name has the words: all of it)."""
        self.filter_text = text
        self.position_label = filter_label(text)
        self.populate(self._collections)
        self.show_position()

    def position(self) -> tuple[int, int]:
        return self.cursor_line, self.last_line + 1

    @property
    def filter_size(self) -> int:
        return sum(len(c.root.all_endpoints()) for c in self._collections)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        self.show_position()

    def action_filter(self) -> None:
        self.screen.query_one(ListFilter).open(
            self, "filter the tree: words in method, path, name, folder · enter · esc clears"
        )

    def action_first(self) -> None:
        self.action_scroll_home()

    def action_last(self) -> None:
        self.action_scroll_end()

    def populate(self, collections: Sequence[Collection]) -> None:
        """(Re)build the tree: one collection is the root itself; several hang under a root."""
        self._collections = list(collections)
        self._words = filter_words(self.filter_text)
        self.clear()
        if len(collections) == 1:
            self.root.set_label(_folder_label(collections[0].root))
            self.root.data = collections[0].root
            self._add_children(self.root, collections[0].root)
        else:
            self.root.set_label(Text("All collections" if collections else "No collections"))
            self.root.data = None
            for collection in collections:
                node = self.root.add(_folder_label(collection.root), data=collection.root)
                self._add_children(node, collection.root)
                node.expand()
        self.root.expand()

    def _add_children(self, node: TreeNode[NodeData], folder: Folder, every: bool = False) -> None:
        words = [] if every else self._words
        for child in folder.children:
            if isinstance(child, Folder):
                whole = every or _folder_matches(child, words)
                if not whole and words and not self._has_match(child, words):
                    continue
                sub = node.add(_folder_label(child), data=child, expand=True)
                self._add_children(sub, child, whole)
            elif not words or endpoint_matches(child, words):
                node.add_leaf(_endpoint_label(child), data=child)

    def _has_match(self, folder: Folder, words: list[str]) -> bool:
        return _folder_matches(folder, words) or any(
            endpoint_matches(e, words) for e in folder.all_endpoints()
        )

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, Endpoint):
            self.post_message(self.Narrow(None, data))
        elif event.node is self.root:
            self.post_message(self.Narrow(None))
        else:
            self.post_message(self.Narrow(data))
