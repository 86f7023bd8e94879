"""Qualifications Passport: interview-based assessment of refugees' qualifications."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from passport import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    environ = None
    if test_config and "ENVIRON" in test_config:
        environ = test_config.pop("ENVIRON")
    app.config.update(config_module.load_settings(Path(app.instance_path), environ))
    app.config["TRANSLATIONS_DIR"] = PROJECT_ROOT / "translations"
    if test_config:
        app.config.update(test_config)
    from passport import access, cli, db, i18n, logs, security, translate, views_errors

    logs.init_app(app)
    from passport.extensions import csrf, limiter

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    access.init_app(app)
    views_errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    translate.init_app(app)

    from passport.admin.routes import bp as admin_bp
    from passport.auth.routes import bp as auth_bp
    from passport.cases.routes import bp as cases_bp
    from passport.intake.portal import bp as candidate_bp
    from passport.intake.routes import bp as intake_bp
    from passport.interviews.routes import bp as interviews_bp
    from passport.mail.routes import bp as mail_bp
    from passport.passports.routes import bp as passports_bp
    from passport.privacy.routes import bp as privacy_bp
    from passport.review.routes import bp as review_bp
    from passport.training.routes import bp as training_bp

    for bp in (auth_bp, cases_bp, interviews_bp, review_bp, passports_bp, admin_bp,
               intake_bp, candidate_bp, mail_bp):
        app.register_blueprint(bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(privacy_bp)

    from passport import template_helpers

    template_helpers.init_app(app)
    return app
