"""Packs: lifecycles that ship with jobstate, each entering through the door a user's spec file
does (:func:`jobstate.load_spec`). :mod:`jobstate.packs.graph` is Microsoft Graph's
``asyncJobStatus``."""
