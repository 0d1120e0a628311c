"""Signals other apps listen to; the respondent's path never imports them."""

from django.dispatch import Signal

# Sent after the transaction that stored a new Response has committed, with
# `response`. Receivers must never make the submit fail: catch and log.
response_submitted = Signal()
