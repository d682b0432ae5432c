"""The shell around the pure flows: the wiring (`Services`), running a step and applying its
effects (texts and calls), coordinator actions (broadcasts, cancellations), erasure, throttling.

May use: jobs/, meetings/, store/, base/, flows/. Never web/, workers/, demo/ or cli/.
"""
