"""Pure decisions: summaries, conditions, verdicts, findings, plans, manifests. No I/O."""
