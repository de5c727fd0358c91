"""Fava's own page, trimmed of the controls the gate refuses.

Fava's sidebar offers "+" (add a journal entry) and "Import" (upload statements): both
write through Fava's own endpoints, which the gate refuses for every role (the only
writes are the Grant pool forms', through the one write path).  A control that can only
answer 403 is hidden: a style rule goes into the ``<head>`` of every full page Fava sends
(its pages change by fetching fragments without one, so the rule stays).  The editor
stays: it shows a finding's line, read-only, and its save is refused like the rest.
"""

from __future__ import annotations

from flask import Response

STYLE_ID = "grantpool-hidden"
HIDDEN = ("aside a.add-transaction", 'aside a[href$="/import/"]')
STYLE = f'<style id="{STYLE_ID}">{", ".join(HIDDEN)} {{ display: none !important; }}</style>'


def hide_refused_controls(response: Response) -> Response:
    """*response* with the style rule before ``</head>``, when it is a whole HTML page."""
    if (response.mimetype != "text/html" or response.direct_passthrough
            or response.is_streamed or response.status_code != 200):
        return response
    body = response.get_data(as_text=True)
    at = body.find("</head>")
    if at < 0 or STYLE_ID in body[:at]:
        return response
    response.set_data(body[:at] + STYLE + body[at:])
    return response
