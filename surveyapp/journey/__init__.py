"""The page journey shared by respondents (respond/) and volunteers (interviews/).

flow.py: plain functions over a session (answers, next page, completeness, submit once);
pages.py: the one page renderer; conditions.py: what the page sends the browser for live show/hide.
"""
