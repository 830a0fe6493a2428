"""Settings are layered: ``base`` holds everything; ``local``, ``test`` and ``production``
each import it and change only what differs. Values that vary per machine come from
``config.env``, never from ``os.environ`` directly."""
