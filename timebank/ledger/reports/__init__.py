"""Reports as typed data (numbers, dates, codes, member numbers; no words): the monthly
report (`reports`), statements, activity, period figures and the funder pack (`figures`)."""
