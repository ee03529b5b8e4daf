"""Errors of the sentiment package.

Hierarchy::

    ModelError                 root; the CLI prints one line and exits 2
    ├── ArtifactError          the model artifact is missing, corrupt, or was built by other versions;
    │                          the message names the file and how to fix it
    └── DataError              a training or evaluation file cannot be read (format, columns, labels);
                               the message names the file (and the line when there is one)
"""

from __future__ import annotations


class ModelError(Exception):
    pass


class ArtifactError(ModelError):
    pass


class DataError(ModelError):
    pass
