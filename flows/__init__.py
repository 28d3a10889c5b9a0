"""The pipeline and its faces: config, sources, GX gate, KPIs, candidates, flows, CLI.

Data flows one way: sources -> gate -> KPI series -> detectors -> findings -> candidates
-> register. Each stage is a module with a typed hand-off; the Prefect flows in
``flows.orchestrate.flows`` wire them together as tasks.
"""
