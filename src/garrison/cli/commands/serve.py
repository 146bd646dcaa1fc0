"""``garrison serve``."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from garrison.cli.state import state
from garrison.serve.runner import serve as run_server


def register(app: typer.Typer) -> None:
    """Add the command to the application."""

    @app.command(epilog="Example: garrison serve --host 0.0.0.0 --port 8080 --syslog-port 5514")
    def serve(
        ctx: typer.Context,
        host: Annotated[
            str | None, typer.Option(help="HTTP bind address (settings: http_host).")
        ] = None,
        port: Annotated[
            int | None, typer.Option(help="HTTP port (settings: http_port, 8080).")
        ] = None,
        syslog_host: Annotated[str | None, typer.Option(help="Syslog bind address.")] = None,
        syslog_port: Annotated[
            int | None, typer.Option(help="Syslog UDP+TCP port (settings: 5514).")
        ] = None,
        no_syslog: Annotated[
            bool, typer.Option("--no-syslog", help="Do not start the syslog listeners.")
        ] = False,
    ) -> None:
        """Run the HTTP ingest API and the syslog listeners (UDP and TCP)."""
        st = state(ctx)
        settings = st.settings
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        platform = st.platform()
        asyncio.run(
            run_server(
                platform,
                host=host or settings.http_host,
                port=port if port is not None else settings.http_port,
                syslog_host=syslog_host or settings.syslog_host,
                syslog_port=None
                if no_syslog
                else (syslog_port if syslog_port is not None else settings.syslog_port),
            )
        )
