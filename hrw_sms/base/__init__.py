"""Foundations: settings from the environment, phone numbers and their masking, logging, the
Redis connection.

May use: flows/ and libraries. Nothing else in hrw_sms/.
"""
