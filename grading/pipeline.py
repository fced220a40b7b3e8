"""nbgrader's own lists of preprocessors, with this course's steps put into them.

``nbgrader_config.py`` names only what it changes: which default step a course step goes
before, after or in place of. The rest of each list is whatever the installed nbgrader
runs by default, so a newer nbgrader's new step is not silently dropped, and a step this
course names that nbgrader no longer has stops the configuration with a message.
"""


def with_steps(app, trait, *, before=None, after=None, replace=None):
    """nbgrader's default steps of ``app.trait`` with course steps inserted or substituted.

    Parameters
    ----------
    app : type
        An nbgrader converter class, such as ``nbgrader.converters.Autograde``.
    trait : str
        The name of its list of preprocessors, such as ``"autograde_preprocessors"``.
    before, after : dict of str to list of str, optional
        ``{default step's class name: [import paths of course steps]}``, inserted just
        before or after every occurrence of that step.
    replace : dict of str to list of str, optional
        ``{default step's class name: [import paths]}`` put in its place; an empty list
        removes the step.

    Returns
    -------
    list
        Classes (nbgrader's) and import paths (the course's), in the order they run.

    Raises
    ------
    ValueError
        If a step named in ``before``, ``after`` or ``replace`` is not among the defaults.
    """
    before, after, replace = before or {}, after or {}, replace or {}
    defaults = list(app.class_traits()[trait].default())
    unknown = (set(before) | set(after) | set(replace)) - {step.__name__ for step in defaults}
    if unknown:
        raise ValueError(f"{app.__name__}.{trait} has no step {', '.join(sorted(unknown))} in "
                         f"this nbgrader (it has {', '.join(s.__name__ for s in defaults)})")
    steps = []
    for step in defaults:
        name = step.__name__
        steps += before.get(name, []) + replace.get(name, [step]) + after.get(name, [])
    return steps
