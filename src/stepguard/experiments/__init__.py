"""The reproducible bug-vs-fix experiments behind `stepguard demo`.

`weight_decay` (seeds 000-002) and `accumulation` (seed 003) define the runs, `loops` the two
accumulation training loops as a user writes them, `suite` the quick/default/full presets and the
summaries, `report` / `report_text` the Markdown, JSON and PNG output, `cli` the command.
"""
