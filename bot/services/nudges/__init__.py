"""The daily nudges: what is due for whom, one message a person a day, acted on in place."""
