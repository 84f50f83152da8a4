"""The pipeline's data: ``config.cfg``, ``patterns/`` and ``lexicons/``.

This folder is installed as the package ``pipeline.models`` (see ``[tool.setuptools.package-dir]``
in pyproject.toml), so the wheel carries it and ``importlib.resources`` finds it; there is no
code here.
"""
