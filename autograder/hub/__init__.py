"""A JupyterHub for one class on one machine (``make hub``).

``deploy`` prepares the machine and starts the hub: accounts for a roster, a shared environment
every account can run (the course's pinned packages, the course kernel, JupyterHub and its proxy),
nbgrader's exchange, the instructor's course directory and one Jupyter configuration per role.
``config`` is what JupyterHub itself reads: PAM logins for the roster, each user's server started
under their own account with the tools of their role.
"""
