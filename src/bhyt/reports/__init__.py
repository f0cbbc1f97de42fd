"""Official XLSX reports: the target appendix and the periodic coverage reports, in the layout of a
Vietnamese administrative document."""
