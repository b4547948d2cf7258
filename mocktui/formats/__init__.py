"""Exporters over request event dicts (the codec every front end shares): HAR and curl.

Pure and standard-library only: nothing here imports the rest of mocktui, so any front end (the
dashboard, the headless printer, the control API) can use them on the dicts it already has.
"""

from mocktui.formats.curl import curl_command
from mocktui.formats.har import har_document, har_filename, write_har

__all__ = ["curl_command", "har_document", "har_filename", "write_har"]
