"""
Runs a duckml pipeline on Vertex AI Pipelines every night, from Airflow 2.x.

The BashOperator calls `duckml submit --wait`. duckml prints readable progress while it waits and
ends with one JSON line ({"name", "id", "state", "url", "error"?, "exitCode", ...}); the
BashOperator pushes that last line to XCom, and the next task reads it.

- Exit codes: 0 succeeded, 4 failed, 5 cancelled, 6 --timeout reached, 7 credentials/permission,
  8 Vertex unavailable, 2 invalid input. duckml never exits 99 (the BashOperator's "skip" code).
- Airflow retries are safe: without --job-id, duckml derives the job id from AIRFLOW_CTX_DAG_ID,
  AIRFLOW_CTX_TASK_ID and AIRFLOW_CTX_DAG_RUN_ID (the BashOperator sets them), so a retry of the
  same task run finds the job the first try started instead of starting a second one. A job that
  FAILED stays the answer for that task run; to run the pipeline again on retry, make the id
  depend on the try: --job-id "train-{{ ds_nodash }}-{{ ti.try_number }}".
- When Airflow kills the task (timeout, mark failed), it sends SIGTERM: with
  --cancel-on-interrupt duckml cancels the Vertex job before exiting.

Credentials: Application Default Credentials of the worker (a GCE/GKE service account, or
GOOGLE_APPLICATION_CREDENTIALS). Settings can also live in duckml.config.json in the project.
"""
import json

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

# Where the duckml project (package.json, duckml.config.json, compiled specs) is checked out on the
# workers, with `npm ci` run there so that node_modules/.bin/duckml exists.
PROJECT_DIR = "/opt/airflow/pipelines/my-duckml-project"

with DAG(
    dag_id="duckml_train_nightly",
    schedule="0 3 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    params={"epochs": 20},
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=5)},
) as dag:
    train = BashOperator(
        task_id="train",
        cwd=PROJECT_DIR,
        bash_command=(
            "npx --no-install duckml submit build/train.json"
            " --param epochs={{ params.epochs }}"
            " --param run_date={{ ds }}"
            " --labels airflow-dag={{ dag.dag_id }}"
            " --wait --timeout 3h --cancel-on-interrupt"
        ),
        # Keep the worker's environment (PATH, credentials) and add duckml's settings.
        env={
            "DUCKML_PROJECT": "my-project",
            "DUCKML_REGION": "europe-west4",
            "DUCKML_PIPELINE_ROOT": "gs://my-bucket/pipeline-root",
        },
        append_env=True,
        do_xcom_push=True,
        # Longer than --timeout, so duckml reports the timeout itself (exit 6) before Airflow kills it.
        execution_timeout=pendulum.duration(hours=3, minutes=15),
    )

    def report(ti, **_):
        result = json.loads(ti.xcom_pull(task_ids="train"))
        print(f"Vertex job {result['id']} ended {result['state']}: {result['url']}")
        return result["name"]

    summarize = PythonOperator(task_id="summarize", python_callable=report)

    train >> summarize
