"""Analysis: every aggregate as SQL (queries), disclosure control (disclosure: the one module that applies the
survey's policy), statistics, figures and Plotly charts built from aggregates, exports and report-back figures.

Plain functions over a session, below the blueprints: the dashboards, the API, report backs, the CLI and the
demo all call them, so a figure is computed and controlled the same way wherever it is shown.
"""
