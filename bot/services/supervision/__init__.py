"""Supervision sessions and EPDRs: who supervises whom, when next due, and recording them."""
