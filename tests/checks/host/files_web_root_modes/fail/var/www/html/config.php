<?php $db = getenv("DB_URL");
