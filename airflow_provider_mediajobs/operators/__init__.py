"""Operators: list, get and submit jobs into XCom."""
