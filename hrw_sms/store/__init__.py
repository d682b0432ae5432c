"""What is kept in Redis, one module per stored concept; `keys.py` names every key.

May use: base/, flows/. Never web/, handlers/, workers/, demo/ or cli/.
"""
