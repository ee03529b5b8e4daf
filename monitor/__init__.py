"""BrandGuard daemon and composition root: config, sources, fetching, storage, pipeline, CLI, web."""

__version__ = "0.1.0"
