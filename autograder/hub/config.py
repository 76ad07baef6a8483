"""JupyterHub's configuration for the class (read by the ``jupyterhub_config.py`` that
``python -m autograder hub`` writes into PREFIX/state).

- Logins: PAM (the machine's accounts and passwords), open only to the roster; the instructor is
  the hub's admin.
- Servers: JupyterHub's local-process spawner starts each user's JupyterLab under their own
  account, in their home, from the shared environment, with the Jupyter configuration of their
  role (``JUPYTER_CONFIG_PATH``): the formgrader for the instructor, the Assignment List and
  Validate for students.
- State (the hub's database, cookie secret, proxy pid) lives in PREFIX/state, readable by root only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Seconds a user's server may take to start and answer: a hang guard for a loaded machine.
SPAWN_TIMEOUT = 120


def role_environment(settings: dict[str, Any], username: str) -> dict[str, str]:
    """The environment of ``username``'s server: the shared venv on PATH, the role's config."""
    prefix = Path(settings["prefix"])
    role = "instructor" if username == settings["instructor"] else "student"
    return {
        "JUPYTER_CONFIG_PATH": str(prefix / "config" / role),
        "PATH": f"{prefix / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    }


def configure(c: Any, settings_file: str) -> None:
    """Fill JupyterHub's config object ``c`` from PREFIX/state/hub.json."""
    settings = json.loads(Path(settings_file).read_text())
    prefix, state = Path(settings["prefix"]), Path(settings_file).parent

    c.JupyterHub.bind_url = f"http://{settings['ip']}:{settings['port']}"
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
    c.ConfigurableHTTPProxy.command = [
        str(prefix / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")
    ]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.open_sessions = False
    c.Authenticator.allowed_users = {settings["instructor"], *settings["students"]}
    c.Authenticator.admin_users = {settings["instructor"]}

    c.JupyterHub.spawner_class = "localprocess"
    c.Spawner.cmd = [str(prefix / "venv" / "bin" / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.start_timeout = SPAWN_TIMEOUT
    c.Spawner.http_timeout = SPAWN_TIMEOUT

    def by_role(spawner: Any) -> None:
        spawner.environment = {
            **spawner.environment,
            **role_environment(settings, spawner.user.name),
        }

    c.Spawner.pre_spawn_hook = by_role
