"""The page journey shared by respondents (respond/) and volunteers (interviews/).

controller.py: the one journey controller (page, check your answers, submit, completion), which
both blueprints call with their own URLs and wording; flow.py: plain functions over a session
(answers, next page, sections, completeness, submit once, the questionnaire cache);
conditions.py: what the page sends the browser for live show/hide.
"""
