import { Module } from '@nestjs/common';
import { ExplorerAssets } from './explorer-assets.js';
import { ExplorerController } from './explorer.controller.js';

/** The function explorer page and its bundled assets (see ExplorerController). */
@Module({ controllers: [ExplorerController], providers: [ExplorerAssets] })
export class ExplorerModule {}
