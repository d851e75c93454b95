"""The source documents' printed numbers and mistakes, one module per lesson, as data.

Each module has SOURCE (what the document is), NOTES, MISTAKES (dicts: key, title,
notes_version, correct_version, explanation); a document that prints numbers of a step we can
reproduce also has is_own_example(info, params, example, lr) and compare(trace) (rows: key,
index, printed, decimals, exact, diff, tolerance, off, reason).
"""
