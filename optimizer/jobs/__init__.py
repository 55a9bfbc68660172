"""Jobs: run a scenario or a portfolio file and write its run folder, the CLI's one call.

A job strings the library together above the output layer: check the file and the output
folder, fit and plan (:mod:`optimizer.scenario`, :mod:`optimizer.portfolio`), then hand the
result to its :mod:`optimizer.report` writer. :mod:`~optimizer.jobs.scenario` and
:mod:`~optimizer.jobs.portfolio` each have a ``run_and_write``; they load PyMC, so they are
imported from their modules, not from this package.
"""
