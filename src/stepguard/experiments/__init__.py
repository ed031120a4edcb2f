"""The reproducible bug-vs-fix experiments behind `stepguard demo`.

`_weight_decay` (seeds 000-002) and `_accumulation` (seed 003) define the runs, `_loops` the two
accumulation training loops as a user writes them, `_suite` the quick/default/full presets and the
summaries, `_parallel` and `_progress` how runs are executed and shown, `_report` / `_report_text` /
`_format` the Markdown, JSON and PNG output, `_cli` the command.
"""
