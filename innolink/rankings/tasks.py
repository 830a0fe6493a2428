"""Ranking runs as background jobs with progress."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from innolink.core.jobs import Progress, job_runner
from innolink.core.models import Job
from innolink.engines.ranking import RankingError
from innolink.rankings import services
from innolink.rankings.models import RankingRun


@job_runner(services.RUN_KIND, result_template="rankings/_run_job_result.html")
def run_ranking_job(job: Job, progress: Progress) -> dict:
    run = RankingRun.objects.get(pk=job.params["run_id"])
    if run.status != RankingRun.Status.QUEUED:
        return {"run_id": run.pk, "status": run.status}
    progress(0, 3, N_("读取登记数据并检查评价方法"), force=True)
    try:
        ms = services.methodologies(run.year)
        progress(1, 3, N_("计算 %(n)s 个榜单（每个榜单含权重扰动分析）"), params={"n": len(ms)},
                 force=True)
        ms, result = services.compute(run)
    except Exception as exc:  # the run records every failure, then the job does
        # an engine refusal keeps its message id and values (also when a service passed it on
        # as the platform's error), so the run page words it in its reader's language
        engine = exc if isinstance(exc, RankingError) else exc.__cause__
        error = engine.as_dict() if isinstance(engine, RankingError) else {
            "code": getattr(exc, "code", "error"), "message": str(getattr(exc, "message", exc)),
            "extra": {}}
        services.run_fail(run=run, error=error)
        raise
    progress(2, 3, N_("写入数据库"), force=True)
    services.run_store_result(run=run, result=result, ms=ms)
    progress(3, 3, N_("完成"), force=True)
    return {"run_id": run.pk, "status": RankingRun.Status.COMPUTED,
            "lists": {k: len(v.entries) for k, v in result.lists.items()},
            "uncertain": sum(1 for v in result.lists.values()
                             for e in (*v.entries, *v.review) if e.uncertain),
            "fingerprint": result.fingerprint}
