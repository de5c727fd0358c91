"""Sign-in and scoped access in front of Fava (``grantpool serve --users``).

``people`` is who may sign in and what each role may see; ``userfile`` and
``passwords`` keep the users file; ``policy`` decides every request (pure);
``app`` wires the decision, the sessions and the sign-in pages into Fava's Flask app;
``context`` is what the Fava extension asks of the signed-in request.
"""
