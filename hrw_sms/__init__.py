"""HRW-SMS: the text-and-voice line for Harm Reduction Works-HRW meetings."""
