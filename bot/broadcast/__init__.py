"""Subscriptions, reminders and broadcasts: the outbox sender, the reminder scheduler, the CLI."""
