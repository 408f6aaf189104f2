"""Step 5 documents: the strategic assessment (DOCX, HTML, PDF) and the committee report."""
