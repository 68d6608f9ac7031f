"""The bridge from `llamabot run` arguments to the runner; imports telegram only when running."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings, read_env_file


def token_configured() -> bool:
    """Whether a token is set in the environment or `.env` (without validating it)."""
    if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        return True
    try:
        return bool(read_env_file(Path(".env")).get("TELEGRAM_BOT_TOKEN", "").strip())
    except ConfigError:
        return True  # let `run` report the broken .env in one clear line


def launch(args: argparse.Namespace) -> int:
    """Validate settings (one clear line on error), then run polling or the webhook."""
    try:
        settings = load_settings(require_token=True)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    knowledge = getattr(args, "knowledge", None)
    if knowledge:
        from dataclasses import replace

        settings = replace(settings, knowledge_dir=Path(knowledge))
    if not settings.knowledge_dir.is_dir():
        print(f"error: LLAMABOT_KNOWLEDGE_DIR {str(settings.knowledge_dir)!r} is not a folder",
              file=sys.stderr)
        return 2
    from bot.tg.runner import WebhookOptions, run

    webhook = None
    if getattr(args, "webhook", None):
        if not args.webhook.startswith(("https://", "http://")):
            print(f"error: --webhook must be a URL, got {args.webhook!r}", file=sys.stderr)
            return 2
        webhook = WebhookOptions(args.webhook, args.listen, args.port, args.secret_token)
    return run(settings, webhook)
