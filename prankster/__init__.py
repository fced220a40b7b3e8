"""Synthetic data for the EM "prankster" practical.

A face from a lineup of cartoon suspects, holding a placard with a hidden
message, is pasted at a random horizontal offset onto a background scene and
buried in heavy Gaussian noise.  Everything is drawn with integer arithmetic so that
``python -m prankster.generate_data`` writes byte-identical data on every
machine.
"""
