"""Link an assessment.toml to an assessment of the web app without Django admin: what
``cspkit serve --config`` and ``python -m cspkit.web link_assessment`` both do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from cspkit.config import load_config
from cspkit.errors import ConfigError, CspkitError
from cspkit.web.models import Assessment


@dataclass(frozen=True)
class Linked:
    assessment: Assessment
    created: bool
    replaced: str  # the config path it had before, if another


def link_assessment(config_path: str | Path, slug: str = "") -> Linked:
    """Create the assessment (named from the file; short name ``slug`` or one made from the name) or
    point an existing one at this file, after checking the file and those it names can be read."""
    try:
        config = load_config(config_path)
    except CspkitError as exc:
        raise ConfigError(f"cannot link this file to the web app: {exc}") from exc
    slug = slug or slugify(config.name)[:50]
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().filter(slug=slug).first()
        created = assessment is None
        if created:
            assessment = Assessment(slug=slug, name=config.name, csp_name=config.csp_name, area_code=config.area_codes[0])
        before = assessment.config_path
        assessment.config_path = str(config.path)
        try:
            assessment.full_clean()
        except ValidationError as exc:
            problems = "; ".join(m for messages in exc.message_dict.values() for m in messages)
            raise ConfigError(f"cannot link this file to assessment '{slug}': {problems}", file=config.path) from exc
        assessment.save()
    return Linked(assessment, created, before if before and before != assessment.config_path else "")
