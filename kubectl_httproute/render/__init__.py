"""Strings from data, given the clock; the record file written in one atomic step."""
