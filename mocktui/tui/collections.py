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


class CollectionsTree(Tree[NodeData]):
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
        self.populate(collections)

    def populate(self, collections: Sequence[Collection]) -> None:
        """(Re)build the tree: one collection is the root itself; several hang under a root."""
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

    def _add_children(self, node: TreeNode[NodeData], folder: Folder) -> None:
        for child in folder.children:
            if isinstance(child, Folder):
                sub = node.add(_folder_label(child), data=child, expand=True)
                self._add_children(sub, child)
            else:
                node.add_leaf(_endpoint_label(child), data=child)

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, Endpoint):
            self.post_message(self.Narrow(None, data))
        elif event.node is self.root:
            self.post_message(self.Narrow(None))
        else:
            self.post_message(self.Narrow(data))
