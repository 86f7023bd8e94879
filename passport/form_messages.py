"""WTForms' and Flask-WTF's built-in validation messages, listed only so that `flask translate
extract` puts them into our catalogue: translators can then cover the languages WTForms has no
catalogue of its own for (Tigrinya, Nynorsk). passport.i18n.FormMessages looks them up. Never
called."""

from flask_babel import gettext, ngettext


def _messages() -> None:  # pragma: no cover - for extraction only
    gettext("This field is required.")
    gettext("Invalid input.")
    gettext("Invalid email address.")
    gettext("Not a valid choice.")
    gettext("Not a valid integer value.")
    gettext("Not a valid decimal value.")
    gettext("Not a valid date value.")
    gettext("Invalid Choice: could not coerce.")
    gettext("Number must be at least %(min)s.")
    gettext("Number must be at most %(max)s.")
    gettext("Number must be between %(min)s and %(max)s.")
    gettext("Field must be between %(min)d and %(max)d characters long.")
    gettext("The CSRF token is missing.")
    gettext("The CSRF token has expired.")
    gettext("The CSRF token is invalid.")
    gettext("The CSRF tokens do not match.")
    gettext("The CSRF session token is missing.")
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 1)
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 1)
    ngettext("Invalid choice(s): one or more data inputs could not be coerced.",
             "Invalid choice(s): one or more data inputs could not be coerced.", 1)
