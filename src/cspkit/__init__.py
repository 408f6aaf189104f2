"""cspkit: a Community Safety Partnership's strategic assessment, from raw data to the published document."""

__version__ = "0.1.0"
