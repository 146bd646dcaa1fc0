"""Response actions, one module each (see :mod:`~garrison.respond.actions.base`)."""
