"""Synthetic data for the EM "prankster" practical.

A face from a lineup of cartoon suspects is pasted at a random horizontal
offset onto a background scene that carries a hidden message, and buried in
heavy Gaussian noise.  Everything is drawn with integer arithmetic so that
``python -m prankster.generate_data`` writes byte-identical data on every
machine.
"""
