"""Jobs: the CLI's one library call (run a scenario or portfolio file, plan media or prices).

A job strings the library together above the output layer: check the file and the output
folder, fit and plan (:mod:`optimizer.scenario`, :mod:`optimizer.portfolio`), then hand the
result to its :mod:`optimizer.report` writer. :mod:`~optimizer.jobs.scenario` and
:mod:`~optimizer.jobs.portfolio` each have a ``run_and_write``; they load PyMC, so they are
imported from their modules, not from this package. :mod:`~optimizer.jobs.allocate`
(``plan_media``) and :mod:`~optimizer.jobs.pricing` (``plan_prices``, ``fit_elasticities``) are the
one library call of ``allocate`` and ``pricing optimize|fit``: they load the inputs and plan, and
return what the command's :mod:`optimizer.report` writer takes.
"""
