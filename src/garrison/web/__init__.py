"""The web console: server-rendered pages (Jinja2 + htmx) in zh-CN and en.

Pages live in :mod:`garrison.web.views`, one module per area; each registers its routes on
the console router built by :func:`garrison.web.console.create_console`. Later features add a
module there and a navigation entry in :data:`garrison.web.nav.NAV`.
"""
