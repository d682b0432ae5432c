"""The meeting directory, Meeting Guide feeds (parsing, export, sync) and zip-code places.

May use: store/, base/, flows/.
"""
