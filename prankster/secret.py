"""The instructor's secret, kept in one place.

Changing anything here changes the generated data (and therefore the
checksums and the expected answers), so regenerate the data and update
the answer key together.
"""

#: Name of the suspect whose face is hidden in the photos (see ``suspects.SUSPECTS``).
PRANKSTER = "Mirela Stroud"

#: Lines of the message on the placard the prankster holds (see ``scene.hold_placard``).
MESSAGE = ("UNDER", "THE", "SOFA")

#: Lower-case words that a correct free-text answer about the hiding place must contain.
ANSWER_KEYWORDS = ("sofa",)

#: Seed of ``numpy.random.default_rng`` used for offsets and noise.
SEED = 2018
